"""Retention policies (data with their legal references), holds, disposition and LTV renewal."""

from .model import RetentionPolicy
from .service import policies, policy_for

__all__ = ["RetentionPolicy", "policies", "policy_for"]
