# Two commands on a fresh machine with Python 3.11: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install sysdeps run serve worker beat test lint messages clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11) and "Python 3.11 is required")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

install: $(VENV)/.installed

# What the tests need from the system: Chromium for browser tests, pdftotext to read PDFs, gettext,
# and a CJK font. Installed with apt-get when missing and when we may (root).
sysdeps:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v pdftotext >/dev/null || missing="$$missing poppler-utils"; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	command -v zbarimg >/dev/null || missing="$$missing zbar-tools"; \
	[ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || missing="$$missing fonts-wqy-microhei"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing system packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "Please install:$$missing (Debian package names)"; exit 1; fi; \
	fi

run: install
	$(MANAGE) migrate --noinput
	$(MANAGE) demo_load
	$(MAKE) --no-print-directory serve

# Web server, Celery worker and beat under one shell. BASE_URL (the address in emails, feeds, QR codes
# and PDFs) and the Wagtail site's port follow HOST and PORT unless BASE_URL is set. Ctrl-C (once or more)
# or a TERM to the group stops all three within a few seconds: web and beat get a TERM, the worker a cold
# shutdown (QUIT; its unacknowledged tasks go back to the queue), and whatever still runs after 8 s is
# killed. The worker runs in a session of its own, so that the group's signal does not reach its pool's
# processes behind its back (a pool process killed while holding the pool's queue lock left the worker
# hanging at exit); and the shell ignores further signals while it stops the three.
serve:
	@export BASE_URL="$${BASE_URL:-http://$(HOST):$(PORT)}"; export DEBUG="$${DEBUG:-1}"; \
	$(MANAGE) shell -c "from wagtail.models import Site; Site.objects.filter(is_default_site=True).update(hostname='$(HOST)', port=$(PORT))"; \
	echo "Serving on $$BASE_URL/ (admin: $$BASE_URL/admin/) with a Celery worker and beat; Ctrl-C stops all."; \
	setsid $(BIN)/celery -A config worker --loglevel=WARNING --concurrency=2 & worker=$$!; \
	$(BIN)/celery -A config beat --loglevel=WARNING & beat=$$!; \
	$(MANAGE) runserver $(HOST):$(PORT) --noreload & web=$$!; \
	stop() { \
	  trap '' INT TERM HUP; echo "Stopping the web server, the worker and beat..."; \
	  kill -TERM $$web $$beat 2>/dev/null; kill -QUIT $$worker 2>/dev/null; \
	  for i in $$(seq 80); do \
	    alive=""; for p in $$web $$beat $$worker; do kill -0 $$p 2>/dev/null && alive=1; done; \
	    [ -z "$$alive" ] && break; sleep 0.1; \
	  done; \
	  kill -KILL -- $$web $$beat -$$worker 2>/dev/null; echo "Stopped."; exit 0; \
	}; \
	trap stop INT TERM HUP; wait

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache
	DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) makemigrations --check --dry-run

test: install sysdeps lint
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/pytest -q $(PYTEST_ARGS)

# Regenerate the translation catalogues after changing interface strings, then translate them.
messages: install
	for dir in home newsletter training care; do (cd $$dir && $(abspath $(BIN))/python $(CURDIR)/manage.py makemessages -l zh_Hans -e html,txt,py,mjml --no-obsolete); done
	(cd site && $(abspath $(BIN))/python $(CURDIR)/manage.py makemessages -l zh_Hans -e html,txt,py,mjml --no-obsolete)
	$(MANAGE) compilemessages --ignore=.venv --ignore=var

clean:
	rm -rf $(VENV) var staticfiles
