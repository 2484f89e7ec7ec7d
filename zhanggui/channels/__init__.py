"""The platforms as they are (see apps.py): the only app that knows a platform's column or field names."""

PLATFORMS = ("taobao", "tmall", "jd", "pdd", "own")  # the marketplaces we read and write, and our own channel
