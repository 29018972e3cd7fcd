from fastapi import FastAPI

from app.api.routes import items
from app.core.config import settings

app = FastAPI()
app.include_router(items.router, prefix=settings.API_V1_STR)
