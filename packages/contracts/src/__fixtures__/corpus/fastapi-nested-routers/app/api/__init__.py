from fastapi import APIRouter

from .orders import router as orders_router
from .customers import router as customers_router

api_router = APIRouter(prefix="/api")
api_router.include_router(orders_router, prefix="/orders")
api_router.include_router(customers_router, prefix="/customers", tags=["customers"])
