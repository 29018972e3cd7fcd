from fastapi import FastAPI

from app import items

API_PREFIX = "/api/v1"

app = FastAPI()
app.include_router(items.router, prefix=API_PREFIX)
