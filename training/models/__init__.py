from .catalogue import *  # noqa: F403
from .certificates import *  # noqa: F403
from .signups import *  # noqa: F403
