from fastapi import APIRouter

router = APIRouter(prefix="/items", tags=["items"])


@router.get("/")
def read_items():
    return []


@router.delete("/{id}")
def delete_item(id: str):
    return {"ok": True}
