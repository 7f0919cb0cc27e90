from bench.run import app

if __name__ == "__main__":  # the guard keeps a spawned child (bench.run.prepare) from running it
    app()
