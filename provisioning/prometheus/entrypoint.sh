#!/bin/sh
# Starts Prometheus with the plain scrape config, or with the bearer-token one when JOBSCOPE_READ_TOKEN is set.
# Prometheus has no environment interpolation, so the token is written to a file that only the prometheus user reads.
set -eu
config=/etc/prometheus/prometheus.yml
if [ -n "${JOBSCOPE_READ_TOKEN:-}" ]; then
  umask 077
  printf '%s' "$JOBSCOPE_READ_TOKEN" > /prometheus/jobscope-read-token
  config=/etc/prometheus/prometheus-read-token.yml
fi
exec /bin/prometheus \
  --config.file="$config" \
  --storage.tsdb.path=/prometheus \
  --storage.tsdb.retention.time="${PROMETHEUS_RETENTION:-7d}" \
  --web.enable-lifecycle \
  "$@"
