from .delivery import *  # noqa: F403
from .engagement import *  # noqa: F403
from .knowledge import *  # noqa: F403
from .pages import *  # noqa: F403
