"""Gunicorn settings for the billing API."""
import multiprocessing

bind = "0.0.0.0:8000"
# The usual rule of thumb: two workers per core, plus one.
workers = multiprocessing.cpu_count() * 2 + 1
timeout = 30
graceful_timeout = 20
