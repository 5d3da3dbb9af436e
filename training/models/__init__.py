from .catalogue import *  # noqa: F403
from .certificates import *  # noqa: F403
