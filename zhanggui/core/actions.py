"""Page actions: a POST runs one service change, then the browser goes back to the page it came from.

The service decides; its refusal (DomainError, already in Chinese) becomes an error message and success a green
one. Shared so every page answers the same way and each view keeps only what is its own: reading the form and
where to go back to.
"""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.views.decorators.http import require_POST

from .access import page
from .errors import DomainError


def refuse(request, exc: DomainError, *, details: int | None = None, most: int | None = None) -> None:
    """Show a service's refusal. With `details` (a message level) its further lines follow, at most `most` of
    them: the first detail line is already the message."""
    messages.error(request, exc.message)
    if details is not None:
        extra = exc.details[1:]
        for line in extra if most is None else extra[:most]:
            messages.add_message(request, details, line)


def run_action(request, change: Callable[[], Any], done=None, **refusal) -> bool:
    """Run `change()`; True when it went through. A DomainError it raises is shown by `refuse` (the keyword
    arguments go to it); otherwise `done` is shown as success: a text, or a function of what `change` returned
    (for messages that name what was changed)."""
    try:
        result = change()
    except DomainError as exc:
        refuse(request, exc, **refusal)
        return False
    if done is not None:
        messages.success(request, done(result) if callable(done) else done)
    return True


def posted_object(queryset, request, name: str, gone: str):
    """The object whose id the form posted as `name`, else a refusal saying `gone`: the page was left open while
    someone else removed it (or the id was tampered with)."""
    value = request.POST.get(name, "")
    found = queryset.filter(pk=value if value.isdigit() else None).first()
    if found is None:
        raise DomainError("gone", gone, name)
    return found


def move_view(perm: str, name: str, load, change, done, back, **refusal):
    """A POST-only page view, guarded by `page(perm)`, for one button that moves a document on (a stocktake, a
    stock-in slip): `load(**url kwargs)` fetches it, `change(request, doc)` calls the service, which decides; then
    back to `back(doc)` with the refusal or `done`, which names the document's %(number)s."""

    def view(request, **kwargs):
        doc = load(**kwargs)
        run_action(request, lambda: change(request, doc), done % {"number": doc.number}, **refusal)
        return back(doc)

    view.__name__ = view.__qualname__ = name
    return require_POST(page(perm)(view))
