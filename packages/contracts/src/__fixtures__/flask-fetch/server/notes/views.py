from flask import Blueprint

notes_bp = Blueprint("notes", __name__, url_prefix="/notes")


@notes_bp.route("/", methods=["GET", "POST"])
def notes():
    return []


@notes_bp.route("/<int:note_id>", methods=["GET", "DELETE"])
def note(note_id):
    return {"id": note_id}


@notes_bp.get("/<note_id>/history")
def history(note_id):
    return []
