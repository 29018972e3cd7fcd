from fastapi import FastAPI

from .routers import items

app = FastAPI(title="Items")

app.include_router(items.router, prefix="/api")


@app.get("/health")  # not in the contract
def health():
    return {"ok": True}
