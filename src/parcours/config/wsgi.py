import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parcours.config.settings")
application = get_wsgi_application()

# What is loaded by now (Django, the apps, their modules: ~115,000 objects the collector
# tracks) lives as long as the process: out of the garbage collector's sight. Else every full
# collection walks it all again, ~35 ms of CPU in whichever request runs into one (an
# attendance tap's worst case in the bench).
gc.collect()
gc.freeze()
