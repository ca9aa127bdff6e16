#!/usr/bin/env bash
# The test command: installs what the browser tests need (Debian's chromium, its driver and a
# CJK font for the zh-TW screenshots) and the NATS server of the JetStream test (Debian's
# nats-server) when they are missing, then runs every test of the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
command -v nats-server >/dev/null || missing+=(nats-server)
if ! fc-list 2>/dev/null | grep -qi "noto sans cjk"; then missing+=(fonts-noto-cjk); fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]} for the browser and JetStream tests"
  if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

cargo test --workspace --all-features "$@"
