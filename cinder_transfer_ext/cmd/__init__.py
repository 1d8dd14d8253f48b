"""Command-line entry points."""

import warnings

# oslo.messaging imports oslo.service, whose eventlet backend warns on
# import even though these commands never use eventlet.
warnings.filterwarnings('ignore', message=r'\s*Eventlet is deprecated')
