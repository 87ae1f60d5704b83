# A Python service kept beside a JavaScript command-line package: the package.json's `bin` says
# nothing about it.
import requests
from fastapi import FastAPI

app = FastAPI()


@app.get("/users/{user_id}")
async def user(user_id: str):
    r = requests.get(f"https://api.acme.test/users/{user_id}")  # expect: blocking-call-in-async (error)
    return r.json()
