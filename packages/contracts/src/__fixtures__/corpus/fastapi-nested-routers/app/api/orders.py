from fastapi import APIRouter

router = APIRouter()


@router.get("")
async def list_orders():
    return []


@router.post("/{order_id}/cancel")
async def cancel(order_id: int):
    return {"id": order_id}
