#!/usr/bin/env bash
# The container image from the Dockerfile, with whichever engine works here.
#
#   t/dist/image.sh engine          print the engine (docker|podman) or fail
#   t/dist/image.sh build [TAG]     build TAG (default ngx-pylon)
#
# docker when its daemon answers, else podman with --isolation=chroot (it
# builds where containers cannot run: no user namespaces, no cgroups).
# PYLON_ENGINE=docker|podman forces one.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)

engine() {
    if [ -n "${PYLON_ENGINE:-}" ]; then
        echo "$PYLON_ENGINE"
    elif command -v docker > /dev/null && docker info > /dev/null 2>&1; then
        echo docker
    elif command -v podman > /dev/null; then
        echo podman
    else
        echo "image: neither a docker daemon nor podman is available" >&2
        return 1
    fi
}

case "${1:-build}" in
engine)
    engine
    ;;
build)
    tag=${2:-ngx-pylon}
    e=$(engine)
    args=()
    [ "$e" = podman ] && args+=(--isolation=chroot)
    echo "image: $e build ${args[*]} -t $tag $root"
    "$e" build "${args[@]}" -t "$tag" "$root"
    ;;
*)
    echo "usage: $0 engine|build [TAG]" >&2
    exit 2
    ;;
esac
