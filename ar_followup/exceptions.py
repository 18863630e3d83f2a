# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.exceptions import UserError, UserWarning
from trytond.model.exceptions import AccessError, ValidationError


class FollowupError(UserError):
    pass


class FollowupWarning(UserWarning):
    pass


class LevelValidationError(ValidationError):
    pass


class IdentifierValidationError(ValidationError):
    pass


class CreditHoldError(UserError):
    pass


class FileImportError(UserError):
    pass


class EInvoiceMandatoryError(UserError):
    pass


class EInvoiceStatusImportError(UserError):
    pass


class FacturXError(UserError):
    pass


class PenaltyRateValidationError(ValidationError):
    pass


class MissingPenaltyRateWarning(UserWarning):
    pass


class PenaltyRateBelowFloorError(UserError):
    pass


class PenaltyClaimError(UserError):
    pass


class PaymentTermLimitWarning(UserWarning):
    pass


class AgedBalanceError(UserError):
    pass


class ImportFileUserError(UserError):
    pass


class EarlyDiscountError(UserError):
    pass


class EInvoicePlatformError(UserError):
    pass


class ReportConversionError(UserError):
    pass


class OutcomeError(UserError):
    pass


class SMSGatewayError(UserError):
    pass


class FollowupAuditError(AccessError):
    pass


class RiskScoreConfigurationError(ValidationError):
    pass
