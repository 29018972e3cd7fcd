from fastapi import APIRouter

router = APIRouter()


@router.api_route("/{customer_id}", methods=["GET", "PATCH"])
async def customer(customer_id: int):
    return {"id": customer_id}
