#!/usr/bin/env bash
# Builds the real Pulumi CLI that the end-to-end tests drive, from its published
# Go modules, into a git-ignored cache. A cached build is reused.
# The Node.js language host (module sdk/nodejs/cmd/pulumi-language-nodejs/v3) is
# not served by the Go module proxy (403 for every version), so Node.js test
# programs run as Automation API inline programs, which need no language host.
# Prints the bin directory on the last line of stdout.
# `build-clients.sh minio` builds the MinIO server the S3 blob-store tests run instead, and prints
# the path of its binary; `yaml` and `bombardier` below likewise.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cache="${STACKYARD_CLIENT_CACHE:-$root/.cache/clients}"

# `go install`s a pinned Go tool into its own cache folder unless it is there already.
# Arguments: the tool's name, its version, the package to install, and what needs Go to build it.
install_go_tool() {
  local name="$1" version="$2" package="$3" what="$4"
  local bin="$cache/$name-$version/bin"
  if [[ ! -x "$bin/${package##*/}" ]]; then
    command -v go >/dev/null || { echo "build-clients: Go is required to build $what" >&2; exit 1; }
    mkdir -p "$bin"
    CGO_ENABLED=0 GOBIN="$bin" go install -trimpath "$package@$version" >&2
  fi
  tool_bin="$bin"
}

case "${1:-pulumi}" in
  minio)
    # MinIO publishes no semantic versions, so the module is pinned by its pseudo-version.
    install_go_tool minio "${MINIO_VERSION:-v0.0.0-20260212201848-7aac2a2c5b7c}" github.com/minio/minio MinIO
    echo "$tool_bin/minio"
    exit 0
    ;;
  bombardier)
    # The HTTP load generator `npm run bench` measures throughput with.
    install_go_tool bombardier "${BOMBARDIER_VERSION:-v1.2.6}" github.com/codesenberg/bombardier bombardier
    echo "$tool_bin/bombardier"
    exit 0
    ;;
  yaml)
    # The Pulumi YAML language host, so plain `pulumi up` runs YAML programs (stack `environment:`
    # imports are tested with one); prints its bin directory, which tests put on the CLI's PATH
    # (the CLI finds language hosts there).
    install_go_tool pulumi-language-yaml "${PULUMI_YAML_VERSION:-v1.25.0}" github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml "the YAML language host"
    echo "$tool_bin"
    exit 0
    ;;
esac

PULUMI_VERSION="${PULUMI_VERSION:-v3.274.1}"
bin="$cache/pulumi-$PULUMI_VERSION/bin"

if [[ -x "$bin/pulumi" ]]; then
  echo "$bin"
  exit 0
fi

command -v go >/dev/null || { echo "build-clients: Go is required to build the Pulumi CLI" >&2; exit 1; }

# pkg/v3 carries `replace` lines that `go install pkg@version` refuses, so the
# CLI is built from a throwaway wrapper module pinning pkg and sdk together.
work="$cache/pulumi-$PULUMI_VERSION/module"
mkdir -p "$work" "$bin"
cat >"$work/go.mod" <<MOD
module stackyard.local/clients

go 1.24

require (
	github.com/pulumi/pulumi/pkg/v3 $PULUMI_VERSION
	github.com/pulumi/pulumi/sdk/v3 $PULUMI_VERSION
)
MOD
cat >"$work/tools.go" <<'GO'
//go:build tools

package clients

import (
	_ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
)
GO

cd "$work"
export GOFLAGS="${GOFLAGS:-} -mod=mod"
export CGO_ENABLED=0
go get "github.com/pulumi/pulumi/pkg/v3@$PULUMI_VERSION" "github.com/pulumi/pulumi/sdk/v3@$PULUMI_VERSION" >&2
ldflags="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION"
go build -trimpath -tags osusergo,grpcnotrace -ldflags "$ldflags" -o "$bin/pulumi.tmp" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi >&2
mv "$bin/pulumi.tmp" "$bin/pulumi"
echo "$bin"
