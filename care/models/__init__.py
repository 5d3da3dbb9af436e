from .calls import *  # noqa: F403
from .complaints import *  # noqa: F403
