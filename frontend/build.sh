#!/usr/bin/env bash
# Rebuild the committed front-end outputs in ../static from GOV.UK Frontend.
# Needs Node 20+ and npm; the app itself never needs them.
set -euo pipefail
cd "$(dirname "$0")"

# --ignore-scripts: sass is pure JS; its optional file watcher needs no build.
npm ci --ignore-scripts --no-audit --no-fund

mkdir -p ../static/css ../static/js
npx --no-install sass \
  --load-path=node_modules \
  --style=compressed \
  --no-source-map \
  --quiet-deps \
  --silence-deprecation=import,global-builtin \
  src/app.scss ../static/css/app.css

cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js ../static/js/govuk-frontend.min.js
# The bundle's last line points at a source map we do not ship.
sed -i 's|//# sourceMappingURL=.*$||' ../static/js/govuk-frontend.min.js

# Licence hygiene: none of these may reach the compiled CSS.
if grep -q -e '@font-face' -e 'GDS Transport' ../static/css/app.css; then
  echo "build.sh: app.css contains GOV.UK fonts" >&2
  exit 1
fi
if grep -o 'url([^)]*)' ../static/css/app.css | grep -q .; then
  echo "build.sh: app.css contains url(); check for GOV.UK images or fonts:" >&2
  grep -o 'url([^)]*)' ../static/css/app.css >&2
  exit 1
fi
echo "Built ../static/css/app.css and ../static/js/govuk-frontend.min.js"
