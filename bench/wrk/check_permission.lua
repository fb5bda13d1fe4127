-- POST /v1/user/@me/check-permission for three nodes, with a bearer token (BENCH_TOKEN).
local token = os.getenv("BENCH_TOKEN")
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer " .. token
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"permissions":["user.read","company.create","credential.write"]}'
