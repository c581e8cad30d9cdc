-- Records how a pending attempt ended.
UPDATE signin_attempts SET succeeded = $2 WHERE id = $1
