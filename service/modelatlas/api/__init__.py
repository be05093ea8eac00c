"""The HTTP face of Model Atlas: an app factory and a mountable GraphQL router."""

from modelatlas.api.app import create_app, graphql_router

__all__ = ["create_app", "graphql_router"]
