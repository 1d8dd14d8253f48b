"""Versioned objects passed between the API, service and database layers."""


def register_all() -> None:
    """Import every object module so that each class is in the registry."""
    __import__('cinder_transfer_ext.objects.snapshot')
    __import__('cinder_transfer_ext.objects.transfer')
    __import__('cinder_transfer_ext.objects.volume')
