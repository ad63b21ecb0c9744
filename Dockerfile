# ngx_pylon on Debian 12: builds the module against Debian's nginx and runs
# nginx with conf.example (following finney; override with your own conf).
#
#   docker build -t ngx-pylon .
#   docker run -p 8000:8000 ngx-pylon
FROM debian:12 AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential dpkg-dev nginx nginx-dev libwebsockets-dev \
      libjansson-dev libsodium-dev liblmdb-dev libxxhash-dev libdeflate-dev \
      libssl-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
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
