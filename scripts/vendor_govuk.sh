#!/usr/bin/env bash
# `make vendor-govuk`: refresh the vendored GOV.UK Frontend and axe-core from the npm registry.
#
# GOV.UK Frontend is pinned to the release govuk-frontend-jinja (pyproject.toml) was tested
# against. Its Sass is compiled here with Arial instead of GDS Transport: that typeface (and the
# crown) are licensed for services on GOV.UK only, and a council service is not on GOV.UK; so
# the fonts and the crown images are not vendored either (the pages use no GOV.UK header).
# The output is committed, so nothing is downloaded when the app runs or is tested.
set -euo pipefail
cd "$(dirname "$0")/.."
GOVUK_FRONTEND_VERSION="${GOVUK_FRONTEND_VERSION:-6.3.0}"
SASS_VERSION="${SASS_VERSION:-1.108.2}"
AXE_CORE_VERSION="${AXE_CORE_VERSION:-4.14.1}"
OUT=web/static/govuk
AXE_OUT=tests/browser/vendor

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
npm install --prefix "$tmp" --no-save --no-audit --no-fund --silent \
    "govuk-frontend@$GOVUK_FRONTEND_VERSION" "sass@$SASS_VERSION" "axe-core@$AXE_CORE_VERSION"
pkg="$tmp/node_modules/govuk-frontend"

rm -rf "$OUT"
mkdir -p "$OUT" "$AXE_OUT"
"$tmp/node_modules/.bin/sass" --load-path="$tmp/node_modules" --style=compressed \
    --no-source-map --quiet-deps web/static/govuk.scss "$OUT/govuk-frontend.min.css"
cp "$pkg/dist/govuk/govuk-frontend.min.js" "$OUT/"
cp "$pkg/package.json" "$OUT/package.json"
{
    echo "GOV.UK Frontend $GOVUK_FRONTEND_VERSION (npm package govuk-frontend), licence: MIT"
    echo
    echo "The MIT License (MIT)"
    echo
    echo "Copyright (c) 2018 Crown Copyright (Government Digital Service)"
    echo
    cat <<'MIT'
Permission is hereby granted, free of charge, to any person obtaining a copy of this software
and associated documentation files (the "Software"), to deal in the Software without
restriction, including without limitation the rights to use, copy, modify, merge, publish,
distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the
Software is furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or
substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING
BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM,
DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
MIT
    echo
    echo "From the package's README:"
    sed -n '/^## Licence/,/^## /p' "$pkg/README.md" | sed '$d'
} > "$OUT/LICENCE.txt"

cp "$tmp/node_modules/axe-core/axe.min.js" "$tmp/node_modules/axe-core/LICENSE" "$AXE_OUT/"
echo "axe-core $AXE_CORE_VERSION (npm package axe-core), licence: MPL-2.0" > "$AXE_OUT/VERSION"
echo "vendored govuk-frontend $GOVUK_FRONTEND_VERSION into $OUT, axe-core $AXE_CORE_VERSION into $AXE_OUT"
