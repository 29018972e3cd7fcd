from fastapi import FastAPI

from app.routers import users, items

app = FastAPI(title="Shop")
app.include_router(users.router, prefix="/api/v1")
app.include_router(items.router, prefix="/api/v1")


@app.get("/health")
def health():
    return {"ok": True}
