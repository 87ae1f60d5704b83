"""The blog's documents: mongoengine keeps each class in its own collection."""
from mongoengine import DateTimeField, Document, ReferenceField, StringField, connect

connect(host="mongodb://mongo:27017/blog", maxPoolSize=50)


class Author(Document):
    email = StringField(unique=True)
    display_name = StringField()


class Post(Document):
    slug = StringField()
    author = ReferenceField(Author)
    status = StringField()
    published = DateTimeField()
    meta = {"collection": "posts", "indexes": ["slug", ("status", "-published")]}
