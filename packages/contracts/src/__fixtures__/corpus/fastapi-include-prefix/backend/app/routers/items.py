from fastapi import APIRouter

router = APIRouter(
    prefix="/items",
    tags=["items"],
)


@router.post("/")
async def create_item(item: dict):
    return item


@router.put("/{item_id}")
async def update_item(item_id: int, item: dict):
    return item
