# lyncprobe container image: a static binary, the CA bundle and a non-root
# user on scratch; the default command is `lyncprobe serve`.
#
# Builds offline from the host's Go module cache (no network in the build):
#   docker build --build-context gomodcache="$(go env GOMODCACHE)" \
#     --build-arg VERSION=v1.2.3 -t lyncprobe .
# Where no container engine runs, .ci/run replays these steps with
# scripts/container-steps (same build script, same root filesystem).
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY . .
ARG VERSION=""
RUN --mount=type=bind,from=gomodcache,target=/go/pkg/mod \
    scripts/build-static /rootfs "$VERSION"

FROM scratch
COPY --from=build /rootfs/ /
USER 65532:65532
EXPOSE 9436
ENTRYPOINT ["/lyncprobe"]
# In a container, listen on all interfaces so that the published port
# reaches it; mount the deployment files at /etc/lyncprobe.
CMD ["serve", "--listen", "0.0.0.0:9436", "--config", "/etc/lyncprobe/"]
