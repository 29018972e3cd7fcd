from fastapi import APIRouter

router = APIRouter(
    prefix="/items",
    tags=["items"],
)


@router.get("/")
def list_items():
    return []


@router.post("/", status_code=201)
def create_item(item: dict):
    return item


@router.get("/{item_id}")
def get_item(item_id: int):
    return {"id": item_id}


@router.api_route(
    "/{item_id}",
    methods=["PUT", "PATCH"],
)
def replace_item(item_id: int, item: dict):
    return item
