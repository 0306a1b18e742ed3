#!/usr/bin/env bash
# tests/tools/signatures.sh OSSLSIGNCODE CERT FILE...
# Every shipped binary (and the MSI) carries an Authenticode signature that verifies against the
# build's signing certificate, and the check is real: a copy with one byte changed fails it.
set -u
osslsigncode=$1 cert=$2
shift 2
status=0
for file in "$@"; do
  if ! output=$("$osslsigncode" verify -CAfile "$cert" -in "$file" 2>&1) ||
    ! grep -q "Signature verification: ok" <<<"$output"; then
    echo "FAIL: $file does not verify against $cert:"
    echo "$output"
    status=1
  else
    echo "ok: $file is signed and verifies"
  fi
done
# A signed file altered after signing must fail verification.
tampered=$(mktemp)
trap 'rm -f "$tampered"' EXIT
cp "$1" "$tampered"
printf '\x5a' | dd of="$tampered" bs=1 seek=4096 conv=notrunc status=none
if "$osslsigncode" verify -CAfile "$cert" -in "$tampered" >/dev/null 2>&1; then
  echo "FAIL: a copy of $1 with one byte changed still verifies"
  status=1
else
  echo "ok: a copy of $1 with one byte changed fails verification"
fi
exit $status
