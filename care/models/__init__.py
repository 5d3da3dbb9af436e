"""Models of customer care, one module per sub-domain."""

from .calls import *  # noqa: F403
from .campaigns import *  # noqa: F403
from .complaints import *  # noqa: F403
from .customers import *  # noqa: F403
from .knowledge import *  # noqa: F403
from .reports import *  # noqa: F403
from .satisfaction import *  # noqa: F403
from .scripts import *  # noqa: F403
