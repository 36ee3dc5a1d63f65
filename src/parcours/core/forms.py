"""Form base classes that apply parcours.core.inputs to every field of a form.

Use `GuardedForm` / `GuardedModelForm` instead of `forms.Form` / `forms.ModelForm` (or
`guard_fields(form)` on a form built otherwise). In `__init__` each field gets the checks its
type calls for, with messages naming the field:

- text (CharField and subclasses, not choices): no control or invisible characters (line
  breaks only in a Textarea), a length limit when the field has none (LONG_TEXT for a
  Textarea, SHORT_TEXT otherwise, shown to the browser as maxlength);
- DateField and DateTimeField: between DATE_MIN and DATE_MAX_YEARS ahead, or the field's own
  `date_bounds = (first, last)`; a DateField's DateInput becomes `<input type="date">` with
  the ISO value the browser reads (with the locale's format, "30/11/2026" in French, the
  browser shows the field empty and an unchanged form posts no date);
- IntegerField without limits: within the database's integers.

A field that needs other rules sets them itself; the guards only add.
"""

from __future__ import annotations

from django import forms
from django.utils.functional import lazy
from django.utils.text import capfirst
from django.utils.translation import gettext, gettext_noop

from parcours.core import inputs

# Django's messages do not say which field they are about; these do (forms show them beside
# the field, htmx fragments and service errors often above it).
NAMED_MESSAGES = {
    "required": gettext_noop("%(field)s: this field is required."),
    "invalid_choice": gettext_noop("%(field)s: choose one of the proposed values."),
}
INVALID = {
    forms.DateTimeField: gettext_noop("%(field)s: enter a valid date and time."),
    forms.DateField: gettext_noop("%(field)s: enter a valid date (day/month/year)."),
    forms.TimeField: gettext_noop("%(field)s: enter a valid time (hh:mm)."),
    forms.IntegerField: gettext_noop("%(field)s: enter a whole number."),
}


def _named(message: str, label):
    return lazy(lambda: gettext(message) % {"field": capfirst(str(label))}, str)()


def _name_messages(field, label) -> None:
    """Replace Django's default messages (not the form's own) by ones naming the field."""
    defaults: dict = {}
    for cls in reversed(type(field).__mro__):
        defaults.update(getattr(cls, "default_error_messages", {}))
    wanted = dict(NAMED_MESSAGES)
    for cls, message in INVALID.items():
        if isinstance(field, cls):
            wanted["invalid"] = message
            break
    for key, message in wanted.items():
        if key in field.error_messages and field.error_messages[key] is defaults.get(key):
            field.error_messages[key] = _named(message, label)


def _label(name: str, field) -> str:
    return field.label if field.label is not None else name.replace("_", " ")


def _text_guard(label, multiline, max_length):
    def guard(value):
        inputs.check_text(value, label=label, multiline=multiline, max_length=max_length)

    return guard


def _date_guard(label, bounds):
    def guard(value):
        inputs.check_date(value, label=label, bounds=bounds)

    return guard


def _int_guard(label, low, high):
    def guard(value):
        inputs.check_int(value, label=label, low=low, high=high)

    return guard


def _id_guard(field, label) -> None:
    """An id that no database integer can hold is not one of the choices (SQLite raises
    OverflowError on it in an `IN` query)."""
    original = field.clean

    def clean(value):
        for v in value if isinstance(value, list | tuple) else [value]:
            text = str(v).strip()
            if text.lstrip("-").isdigit() and not inputs.INT_MIN <= int(text) <= inputs.INT_MAX:
                raise forms.ValidationError(
                    _named(NAMED_MESSAGES["invalid_choice"], label), code="invalid_choice"
                )
        return original(value)

    field.clean = clean


ISO_DATE = "%Y-%m-%d"  # what <input type="date"> reads and posts, whatever the language


def iso_date_widget(widget: forms.DateInput) -> None:
    widget.input_type = "date"
    widget.format = ISO_DATE


class DateInput(forms.DateInput):
    """`<input type="date">` with its value in ISO form (guard_fields does the same to any
    DateInput of a guarded form)."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=ISO_DATE)


def guard_fields(form: forms.BaseForm) -> None:
    for name, field in form.fields.items():
        if getattr(field, "guarded", False):
            continue
        field.guarded = True
        label = _label(name, field)
        _name_messages(field, label)
        if isinstance(field, forms.CharField):
            multiline = isinstance(field.widget, forms.Textarea)
            limit = field.max_length or (inputs.LONG_TEXT if multiline else inputs.SHORT_TEXT)
            if field.max_length is None:
                field.widget.attrs.setdefault("maxlength", str(limit))
            field.validators.append(_text_guard(label, multiline, limit))
        elif isinstance(field, forms.DateField | forms.DateTimeField):
            if isinstance(field.widget, forms.DateInput):
                iso_date_widget(field.widget)
            field.validators.append(_date_guard(label, getattr(field, "date_bounds", None)))
        elif isinstance(field, forms.ModelChoiceField):
            _id_guard(field, label)
        elif isinstance(field, forms.IntegerField):
            low = field.min_value if field.min_value is not None else inputs.INT_MIN
            high = field.max_value if field.max_value is not None else inputs.INT_MAX
            field.validators.append(_int_guard(label, max(low, inputs.INT_MIN),
                                               min(high, inputs.INT_MAX)))  # fmt: skip


def posted(request):
    """The form data of a POST, even an empty one (a form bound to nothing reports missing
    fields; `request.POST or None` would leave it unbound and silent), else None."""
    return request.POST if request.method == "POST" else None


class _Guarded:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        guard_fields(self)

    def full_clean(self):
        guard_fields(self)  # fields a subclass added after __init__
        super().full_clean()


class GuardedForm(_Guarded, forms.Form):
    pass


class GuardedModelForm(_Guarded, forms.ModelForm):
    pass
