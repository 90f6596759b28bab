"""The app uvicorn serves, configured from the environment."""

from fulfilment.api import create_app

app = create_app()
