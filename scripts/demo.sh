#!/usr/bin/env bash
# The demo: builds raswarden.dll and rrashost for Windows x64, then lets rrashost load the DLL
# exactly as RRAS does (MprAdminInitializeDllEx) and drive eight users through real connection
# lifecycles (SSTP, IKEv2 with a reauthentication, two-link multilink dial-up, L2TP, PPTP) under
# Wine, following docs/scenarios/demo.json, with the policy of docs/scenarios/demo-policy.json
# (one session per user, no PPTP, a blocked network, no partner accounts, addresses from a pool).
# Prints every decision, then the accounting records the DLL wrote.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake --preset mingw-x64 >/dev/null
cmake --build --preset mingw-x64 -j2 --target raswarden rrashost raswarden_cli

demo_dir="$PWD/build/demo"
rm -rf "$demo_dir"
mkdir -p "$demo_dir"
# Windows sees the Linux root as drive Z:.
windows_dir="Z:$(echo "$demo_dir" | tr '/' '\\')"
# The demo policy, with this folder for the accounting records.
python3 - "$PWD/docs/scenarios/demo-policy.json" "$windows_dir\\logs" "$demo_dir/raswarden.json" <<'PY'
import json, sys
config = json.load(open(sys.argv[1]))
config["accounting"] = {"directory": sys.argv[2]}
json.dump(config, open(sys.argv[3], "w"), indent=2)
PY

export WINEPREFIX="$PWD/build/mingw-x64/wineprefix" WINEDEBUG=-all
export RASWARDEN_CONFIG="$windows_dir\\raswarden.json"
echo "== raswarden check-config: the demo policy"
wine build/mingw-x64/raswarden.exe check-config
echo
echo "== rrashost drives raswarden.dll"
wine build/mingw-x64/rrashost.exe --dll "Z:$(echo "$PWD/build/mingw-x64/raswarden.dll" | tr '/' '\\')" \
  --scenario "Z:$(echo "$PWD/docs/scenarios/demo.json" | tr '/' '\\')"

echo
echo "== accounting records ($demo_dir/logs), one JSON object per line"
cat "$demo_dir"/logs/accounting-*.jsonl
echo
echo "== RasWarden's own log"
cat "$demo_dir/logs/raswarden.log"
