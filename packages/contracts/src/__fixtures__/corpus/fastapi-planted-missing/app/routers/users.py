from fastapi import APIRouter

router = APIRouter()


@router.get("/me")
def me():
    return {}


@router.get("/{user_id}")
def user(user_id: int):
    return {}
