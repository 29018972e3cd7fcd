from fastapi import APIRouter

router = APIRouter(prefix="/items")


@router.get("")
def list_items():
    return []


@router.get("/{item_id}")
def item(item_id: int):
    return {}
