from flask import Flask

from notes import bp

app = Flask(__name__)
app.register_blueprint(bp, url_prefix="/api")
