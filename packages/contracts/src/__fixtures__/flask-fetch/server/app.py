from flask import Flask

from notes.views import notes_bp

app = Flask(__name__)
app.register_blueprint(notes_bp, url_prefix="/api/notes")


@app.route("/status")
def status():
    return {"ok": True}
