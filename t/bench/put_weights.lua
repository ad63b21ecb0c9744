-- wrk: PUT weights with the identity's token (bench_http.py)
wrk.method = "PUT"
wrk.body = '{"weights":{"5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty":1.0,' ..
           '"5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY":0.5}}'
wrk.headers["Authorization"] = "Bearer bench"
wrk.headers["Content-Type"] = "application/json"
