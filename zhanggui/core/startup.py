"""What the web application checks before it serves anyone."""

from django.core.exceptions import ImproperlyConfigured


def require_secret_key(settings) -> None:
    """Outside DEBUG the web application never runs on the repository's fixed key (anyone could forge sessions):
    production sets DJANGO_SECRET_KEY (`make run` passes a key generated once into var/secret_key)."""
    if not settings.DEBUG and not settings.SECRET_KEY_FROM_ENVIRONMENT:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set: refusing to serve with the repository's development key outside DEBUG "
            "(未设置 DJANGO_SECRET_KEY：生产模式下拒绝使用仓库自带的开发密钥启动，请设置一个足够长的随机字符串)"
        )
