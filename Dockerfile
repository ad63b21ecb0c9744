# ngx_pylon on Debian 12: builds the module against Debian's nginx and runs
# nginx with conf.example (following finney; override with your own conf).
#
#   make image            (docker, else podman build --isolation=chroot)
#   docker run -p 8000:8000 -v ~/.bittensor/wallets:/root/.bittensor/wallets:ro \
#       -v $PWD/nginx.conf:/etc/nginx/pylon.conf:ro ngx-pylon     (README)
FROM debian:12 AS build
WORKDIR /src
# the build packages from the project's one list (t/bootstrap.sh build)
COPY t/bootstrap.sh t/bootstrap.sh
RUN t/bootstrap.sh build && rm -rf /var/lib/apt/lists/*
COPY . .
RUN make clean && make module

FROM debian:12
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      nginx libwebsockets17 libjansson4 libsodium23 liblmdb0 libxxhash0 \
      libdeflate0 \
      ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/build/ngx_pylon_module.so /usr/lib/nginx/modules/
COPY conf.example /etc/nginx/pylon.conf
# listen on all interfaces inside the container; log to the console
RUN sed -i -e 's#listen 127.0.0.1:8000;#listen 8000;#' \
           -e 's#/var/log/nginx/error.log#/dev/stderr#' \
           -e 's#/var/log/nginx/pylon.access.log#/dev/stdout#' \
           /etc/nginx/pylon.conf \
 && mkdir -p /var/cache/nginx \
 && nginx -t -c /etc/nginx/pylon.conf
EXPOSE 8000
CMD ["nginx", "-c", "/etc/nginx/pylon.conf", "-g", "daemon off;"]
