-- GET with a bearer token read from the environment (BENCH_TOKEN).
local token = os.getenv("BENCH_TOKEN")
wrk.headers["Authorization"] = "Bearer " .. token
