#!/bin/sh
# One-shot `temporal-setup` step of docker-compose.yml (temporalio/admin-tools image): create
# the namespace if it is missing and register the custom search attributes listed in
# EHCP_SEARCH_ATTRIBUTES ("Name=Type ..."). Safe on every `docker compose up`; fails loudly
# if an attribute already exists with another type.
# With EHCP_HISTORY_ARCHIVAL_URI (e.g. file:///var/lib/temporal/archival/history), the
# namespace archives each closed case's history there when its retention ends (the server
# must have archival enabled, as the temporalio/server image's configuration does; the URI
# cannot change once set). docs/records.md says what that copy holds.
# Needs TEMPORAL_ADDRESS (read by the temporal CLI), EHCP_NAMESPACE, EHCP_SEARCH_ATTRIBUTES.
set -eu
: "${TEMPORAL_ADDRESS:?}" "${EHCP_NAMESPACE:?}" "${EHCP_SEARCH_ATTRIBUTES:?}"
retention=${EHCP_NAMESPACE_RETENTION:-30d}

# retry WHAT COMMAND...: for up to a minute, while the server or the namespace comes up
retry() {
  what=$1
  shift
  tries=0
  until "$@" >/dev/null 2>&1; do
    tries=$((tries + 1))
    if [ "$tries" -ge 30 ]; then
      echo "gave up waiting for $what; last attempt says:" >&2
      "$@" >&2 || true
      return 1
    fi
    sleep 2
  done
}

retry "the Temporal frontend at $TEMPORAL_ADDRESS" temporal operator cluster health
if temporal operator namespace describe --namespace "$EHCP_NAMESPACE" >/dev/null 2>&1; then
  echo "namespace $EHCP_NAMESPACE exists"
else
  temporal operator namespace create --namespace "$EHCP_NAMESPACE" --retention "$retention"
fi
# a new namespace takes a moment to reach every service
retry "namespace $EHCP_NAMESPACE" \
  temporal operator search-attribute list --namespace "$EHCP_NAMESPACE"

archive=${EHCP_HISTORY_ARCHIVAL_URI:-}
if [ -n "$archive" ]; then
  temporal operator namespace update --namespace "$EHCP_NAMESPACE" \
    --history-archival-state enabled --history-uri "$archive"
  echo "namespace $EHCP_NAMESPACE archives closed histories to $archive"
fi

for pair in $EHCP_SEARCH_ATTRIBUTES; do
  temporal operator search-attribute create --namespace "$EHCP_NAMESPACE" \
    --name "${pair%%=*}" --type "${pair#*=}"
done
echo "namespace $EHCP_NAMESPACE is ready with search attributes: $EHCP_SEARCH_ATTRIBUTES"
