-- GET with an API key read from the environment (BENCH_API_KEY).
wrk.headers["X-API-Key"] = os.getenv("BENCH_API_KEY")
