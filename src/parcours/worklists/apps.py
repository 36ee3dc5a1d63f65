from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorklistsConfig(AppConfig):
    name = "parcours.worklists"
    verbose_name = _("Worklists")

    def ready(self) -> None:
        from parcours.households import hooks
        from parcours.worklists.regenerate import tasks_after_touchpoints

        # hooks.TASKS: after the journey's consequences (declared order, not INSTALLED_APPS):
        # the tasks read the timelines they computed and the day the journey stops being true
        hooks.register(tasks_after_touchpoints, order=hooks.TASKS, name="worklists.tasks",
                       change=True)  # fmt: skip
