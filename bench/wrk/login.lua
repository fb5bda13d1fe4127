-- POST /v1/auth/login with a correct password (BENCH_EMAIL, BENCH_PASSWORD): one argon2id
-- verification per request.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"email":"' .. os.getenv("BENCH_EMAIL") .. '","password":"' ..
           os.getenv("BENCH_PASSWORD") .. '"}'
