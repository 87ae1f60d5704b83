"""Public pages and the author dashboard."""
from flask import Flask, abort, jsonify

from blog.models import Author, Post

app = Flask(__name__)


@app.get("/posts/<slug>")
def post(slug):
    found = Post.objects(slug=slug).first()  # ok: missing-index -- `slug` is indexed
    if found is None:
        abort(404)
    return jsonify({"slug": found.slug})


@app.get("/authors/<email>/posts")
def author_posts(email):
    author = Author.objects.get(email=email)  # ok: missing-index -- unique fields are indexed
    posts = Post.objects(author=author).order_by("-published").limit(20)  # expect: missing-index
    return jsonify([p.slug for p in posts])


@app.get("/front-page")
def front_page():
    posts = Post.objects(status="published").order_by("-published").limit(20)  # ok: missing-index -- (status, published)
    return jsonify([p.slug for p in posts])
